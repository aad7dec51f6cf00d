"""Settings of the test run: the production settings plus what only tests use.

django-oauth-toolkit, a real OpenID Connect provider, is installed here (not in
``config.settings``) so the single sign-on tests run the whole authorization-code flow
against it in the test process (attain/core/tests/test_sso.py).
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider"]
