from kanon.cli import main

main()
