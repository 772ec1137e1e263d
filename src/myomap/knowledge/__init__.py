"""Clinical knowledge shipped as data: muscles, trigger points, conditions, endangerment sites."""
