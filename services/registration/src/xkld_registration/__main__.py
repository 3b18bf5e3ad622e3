"""`python -m xkld_registration [serve|migrate]`."""

from xkld_shared.cli import service_main

from xkld_registration.bootstrap import MIGRATIONS, create_app
from xkld_registration.settings import RegistrationSettings

if __name__ == "__main__":
    service_main(create_app, RegistrationSettings, MIGRATIONS)
