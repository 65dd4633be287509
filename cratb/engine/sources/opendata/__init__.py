"""Readers of public open data that feed cratb from day one (issue #17).

- ``bdpm`` — the public drug database (ANSM): the three text files of specialities,
  presentations and compositions, turned into ``products`` rows (CONTRACTS.md 1.2) for
  systemic antibacterials, each with the reason of how its amount was worked out;
- ``open_medic`` — a year of Open Medic (Assurance Maladie): boxes dispensed per CIP13 ×
  age band × sex × region × prescriber specialty, mapped to cratb's vocabularies, as
  aggregated dispensing rows with their rejected rows;
- ``insee`` — INSEE's population estimates by département (or region), sex and age
  band, as ``population`` rows (CONTRACTS.md 1.3);
- ``coverage`` — the share of dispensed boxes that got a DDD, and what the rest is.

Pure engine code: files in, Arrow tables out; storing them in the warehouse is the
importer's job. The layouts, codes and mappings are documented in docs/open-data.md.
"""
