from sessionmig.cli import main

main()
