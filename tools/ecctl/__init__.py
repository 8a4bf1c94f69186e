"""eldercare control: set up, start, stop and test the eldercare call center."""
