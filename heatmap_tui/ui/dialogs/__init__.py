"""Modal dialogs: forms, confirmations and progress.

Import each from its own module, where it is opened: the package imports none of them, so that
showing the browser (or opening one dialog) does not load them all.
"""
