"""The wachtlijst module's screens (staff, parents' public pages, the koepel's central allocation)."""
