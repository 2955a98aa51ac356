def inventory_summary(*, user):
    return None
