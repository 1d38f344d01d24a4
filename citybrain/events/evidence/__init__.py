"""Evidence other domains attach to an event (e.g. monitoring's sensor readings beside a complaint)."""
