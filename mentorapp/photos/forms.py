from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from mentorapp.photos import images


class PhotoForm(FlaskForm):
    # No check of the name's ending or the browser's type: images.make_photo decodes it.
    photo = FileField(
        "Your photo",
        validators=[FileRequired("Choose a photo to upload.")],
        description=(
            f"JPEG, PNG or WebP, up to {images.MAX_BYTES // (1024 * 1024)} MB. It is cropped "
            "to a square; where and when it was taken, and the camera, are removed."
        ),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
