#!/bin/bash
# The tiles of `tiles.sh split` as a Slurm job array (README, "Tiled runs"). Not run by the tests.
# sbatch runs a spooled copy of this file from the submission folder: submit from the repository
# (or set TILES_SH to the script's path). Slurm gives each task its index in SLURM_ARRAY_TASK_ID, which `tiles.sh one` reads as the tile
# id. Submit with the array size taken from tiles.tsv, then merge once every task is done:
#   n=$(wc -l < /shared/tiles/tiles.tsv); \
#   jid=$(sbatch --parsable --array=0-$((n - 1)) slurm-array.sh /shared/tiles) && \
#   sbatch --dependency=afterok:$jid --wrap "bench/tiles/tiles.sh merge /shared/tiles /shared/density.tif"
# /shared/tiles/command holds the hotspot command, one argument a line (written by `tiles.sh run`
# or by hand), e.g.: hotspot / kde / --bandwidth / 300 / --cell / 25 / --keep-outliers.
#SBATCH --job-name=hotspot-tiles
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=00:30:00
#SBATCH --output=tile-%a.log
set -euo pipefail
exec "${TILES_SH:-bench/tiles/tiles.sh}" one "${1:?give the tiles folder}"
