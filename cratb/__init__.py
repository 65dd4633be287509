"""cratb: the information system of a French Centre Régional en Antibiothérapie."""

__version__ = "0.1.0"
