from rehearse.app.cli import main

main()
