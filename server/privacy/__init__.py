"""Privacy controls on one session: erase a candidate, the data-subject export."""
