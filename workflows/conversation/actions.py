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
CHANGE_ADDRESS = "change_address"
RETIRE_PAGE = "retire_page"
MONITORING_CHECKED = "monitoring_checked"
POST_REMOVED = "post_removed"  # from a monitoring check, which it answers
RECORD_MODERATION = "record_moderation"
REFER_VIOLATOR = "refer_violator"
APPROVE_MODERATION = "approve_moderation"
REFUSE_MODERATION = "refuse_moderation"
LIFT_MODERATION = "lift_moderation"
SNOOZE_CHECK = "monitoring_snooze"
ACKNOWLEDGE_GUIDELINES = "acknowledge_guidelines"
TRANSFER_PAGE = "transfer_page"
ACCEPT_TRANSFER = "accept_transfer"
DECLINE_TRANSFER = "decline_transfer"
REASSIGN_PAGES = "reassign_pages"
OPEN_LINK = "open_link"  # a button that opens an address; nothing to carry out
