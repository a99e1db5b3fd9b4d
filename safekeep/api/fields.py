from rest_framework import serializers

# A database id: a number beyond 64 bits is an error for the client (400), never an overflow (500).
ID_RANGE = {"min_value": 1, "max_value": 2**63 - 1}


def object_id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(**ID_RANGE, **kwargs)
