"""`python -m xkld_notifications [serve|migrate]`."""

from xkld_shared.cli import service_main

from xkld_notifications.bootstrap import MIGRATIONS, create_app
from xkld_notifications.settings import NotificationsSettings

if __name__ == "__main__":
    service_main(create_app, NotificationsSettings, MIGRATIONS)
