"""`python -m xkld_outreach [serve|migrate]`."""

from xkld_shared.cli import service_main

from xkld_outreach.bootstrap import MIGRATIONS, create_app
from xkld_outreach.settings import OutreachSettings

if __name__ == "__main__":
    service_main(create_app, OutreachSettings, MIGRATIONS)
