"""Moving one of a list of things (questions, themes, template parts) one place up or down."""


def moved_one_place(ordered: list, item, *, up: bool, among: list | None = None) -> list | None:
    """``ordered`` (a list in its order, holding ``item``) with ``item`` swapped with its neighbour before
    (``up``) or after it; ``None`` when it is already first or last. The neighbour is the nearest one of
    ``among`` (``item`` among them) when only those are shown, else of the whole list."""
    shown = ordered if among is None else among
    index = shown.index(item)
    target = index - 1 if up else index + 1
    if not 0 <= target < len(shown):
        return None
    result = list(ordered)
    i, j = result.index(item), result.index(shown[target])
    result[i], result[j] = result[j], result[i]
    return result


def renumber(ordered: list) -> None:
    """Positions 0, 1, 2 … in the list's order (gaps and ties left by earlier changes close); only the
    positions that change are written."""
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position = position
