"""The operator's service APIs the Mobile Plans service calls (GetBalance, GetOffers,
GetNotifications): configuration, client, response contract and a sample operator."""
