"""Reading: from a placed page to digits. Each cell is cut out, its printed frame removed and
its ink judged (cells, framelines), then read by the network with the review decision
(reader); PDF scans come in as page images (pdfio)."""
