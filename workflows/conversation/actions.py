"""The names of every button and form action, shared by the cards that offer them and
`actions.command_for`, which turns them back into commands."""

from __future__ import annotations

REQUEST_PAGE = "request_page"
RESUBMIT_REQUEST = "resubmit_request"
EDIT_REQUEST = "edit_request"
APPROVE = "approve"
REQUEST_CHANGES = "request_changes"
DENY = "deny"
ROUTE_AGAIN = "route_again"
WITHDRAW_REQUEST = "withdraw_request"
DELEGATE = "delegate_approvals"
CONFIRM_LIVE = "confirm_page_live"
RETIRE_PAGE = "retire_page"
MONITORING_CHECKED = "monitoring_checked"
POST_REMOVED = "post_removed"
SNOOZE_CHECK = "monitoring_snooze"
ACKNOWLEDGE_GUIDELINES = "acknowledge_guidelines"
TRANSFER_PAGE = "transfer_page"
ACCEPT_TRANSFER = "accept_transfer"
DECLINE_TRANSFER = "decline_transfer"
REASSIGN_PAGES = "reassign_pages"
