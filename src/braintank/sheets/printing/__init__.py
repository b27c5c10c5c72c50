"""Printing: what goes on the page. The sheet's geometry (layout: markers, layout code, writing
boxes on a 300-dpi page), the layout code as printed squares, and the template drawn as PNG
and PDF with its layout.json. Every later stage measures a photo against this geometry."""
