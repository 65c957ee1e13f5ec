from flask import Blueprint

blueprint = Blueprint("places", __name__)
