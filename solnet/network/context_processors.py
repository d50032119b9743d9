from solnet.core.navigation import entries_for
from solnet.network.models import Network


def network(request):
    current = getattr(request, "network", None) or Network.objects.current()
    return {"network": current, "nav_entries": entries_for(request)}
