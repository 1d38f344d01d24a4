"""GPS devices on vehicles and mobile equipment, and their tracks."""
