from mkrescue.cli import main

main()
