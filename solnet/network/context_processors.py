from solnet.core.navigation import entries_for
from solnet.network.models import Network


def network(request):
    current = getattr(request, "network", None) or Network.objects.current()
    entries = entries_for(request)
    return {
        "network": current,
        "nav_entries": entries,
        # The page is one of those under "More": its summary is marked too.
        "nav_more_current": any(e["current"] and not e["daily"] for e in entries),
    }
