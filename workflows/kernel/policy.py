"""The clauses of AR 1114 that Pagekeeper carries out, as data.

Every message about a duty and every audit entry cites one of these, so a reader can trace
each action back to the sentence of the regulation that requires it.
"""

from __future__ import annotations

from typing import NewType

Clause = NewType("Clause", str)

AUTHORIZATION = Clause("AR 1114: Authorization for Official District Social Media Platforms")
REQUIRED_NOTICES = Clause("AR 1114: Each official platform shall prominently display items 1-8")
UNRECOGNIZED_LINKS = Clause("AR 1114: Links not recognized by the district must be stated clearly")
COPYRIGHT = Clause("AR 1114: Copyright laws are not violated")
MONITORING = Clause("AR 1114: Platforms are regularly monitored; viewpoint-neutral removal")
EMPLOYEE_POSTING = Clause("AR 1114: Employees identify themselves and add a views disclaimer")
STAFF_INFORMATION = Clause("AR 1114: All staff receive information about appropriate use")
DEFINITIONS = Clause("AR 1114: Definitions (official district social media platform)")
