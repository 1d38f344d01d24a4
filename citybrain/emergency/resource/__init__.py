"""Emergency resources (应急资源): rescue teams, experts, depots and their supplies, shelters; the road
network for travel times; deployments of resources to incidents."""
