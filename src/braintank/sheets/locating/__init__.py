"""Locating: finding the sheet in a scan or photo. The corner markers (several sheets in one
photo told apart), else the printed box grid, place the page (placement); it is warped back
into the template's frame, its layout code read and its noise measured (rectify, noise)."""
