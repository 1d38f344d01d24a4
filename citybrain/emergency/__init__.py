"""Emergency command (应急指挥): incident types and plans (预案), response levels, incidents and tasks,
resources, duty roster (值班), dispatch sessions and cameras, drills (应急演练).

Each sub-entity is a small package with the same files (models, schemas, service, api):
`plan` (incident types, plans and their versions), `incident` (incidents, activation, tasks, the log,
response-time figures), `resource` (teams, experts, depots and supplies, shelters, road network),
`duty` (the roster), `dispatch` (dispatch sessions and cameras), `drill` (committee, headquarters,
the yearly drill plan and drill records).
"""
