from django.apps import AppConfig


class PeerGroupsConfig(AppConfig):
    name = "safekeep.peergroups"
    label = "peergroups"
    verbose_name = "Peer groups"
