# Graceful stop, as systemd does it (wikigdelt.service: SIGTERM to `run` only): at random moments
# of a running pipeline, SIGTERM to the supervisor; within 15 s it and every part have exited
# with status 0 (each flow finished or rolled back its batch), `wikigdelt check` passes right
# after each stop, and after the last restart every table equals an uninterrupted run's.
# The same driver as test_crash_consistency.sh (WG_LONG=1, WG_CRASH_SEED=N apply).
mode=TERM
source "$(dirname "$0")/test_crash_consistency.sh"
