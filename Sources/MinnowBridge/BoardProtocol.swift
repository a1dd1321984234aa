// The Minnow board line protocol (version 1), as the bridge speaks it. See BoardProtocol.md.
