"""The event hub's reference data over HTTP: categories (`catalogue`), the responsibility matrix
(`catalogue`, `routing`) and the working calendar (`workcal`) — services shared by the whole hub."""
