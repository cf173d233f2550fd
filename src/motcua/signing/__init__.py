"""Digital signatures: agency certificates, PAdES signing of results and forms, verification."""
