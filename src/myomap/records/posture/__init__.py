"""Postural assessments: a client's posture photos (one per view), their landmarks and results."""
