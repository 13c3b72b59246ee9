from . import access


def roles(request):
    """What the header offers the user: the import page only to those who may load figures."""
    user = request.user
    can_import = user.is_authenticated and (
        user.is_superuser or any(role in access.EDITORS for role in access.roles(user).values())
    )
    return {"can_import": can_import}
