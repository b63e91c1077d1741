"""The demo portfolio: Asker kommune's 2015 and 2016 strategic projects from the seed, and
invented business cases (benefits, risks, cost and people plans) for six of them."""
