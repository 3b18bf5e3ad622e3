"""`python -m xkld_reporting [serve|migrate]`."""

from xkld_shared.cli import service_main

from xkld_reporting.bootstrap import MIGRATIONS, create_app
from xkld_reporting.settings import ReportingSettings

if __name__ == "__main__":
    service_main(create_app, ReportingSettings, MIGRATIONS)
