"""Asking for an official page and getting it authorized (AR 1114: Authorization for Official
District Social Media Platforms): the request and its checks (`requesting`, `checks`), who
must decide (`routing`), the decision (`deciding`), and the messages about it (`messages`)."""
