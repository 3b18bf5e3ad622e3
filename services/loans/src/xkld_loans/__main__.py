"""`python -m xkld_loans [serve|migrate]`."""

from xkld_shared.cli import service_main

from xkld_loans.bootstrap import MIGRATIONS, create_app
from xkld_loans.settings import LoansSettings

if __name__ == "__main__":
    service_main(create_app, LoansSettings, MIGRATIONS)
