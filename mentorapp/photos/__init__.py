"""Profile photos: the upload page, the files served, and what deleting an account or
replacing a photo leaves behind (nothing)."""
