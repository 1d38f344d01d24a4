"""The 人联网 environmental picture: citizens' environmental complaints beside the nearest sensors."""
