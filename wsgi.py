from mentorapp import create_app

app = create_app()
