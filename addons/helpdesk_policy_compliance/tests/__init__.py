from . import test_ticket_policy
