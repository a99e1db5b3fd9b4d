import os

# The replica routing test needs a real PostgreSQL streaming replica: .ci/run starts one
# (scripts/start-replica) and runs the module with DATABASE_REPLICA_URL set. Without one the module
# is not collected at all, rather than skipped.
collect_ignore = [] if os.environ.get("DATABASE_REPLICA_URL") else ["test_replica_routing.py"]
