"""The voting kernel shared by PB processes, resident ballots and sign-in: codes and their keyed
hashes, the "has voted" mark, double entry of paper ballots, and attempt limits kept in the database
(docs/voting.md)."""
