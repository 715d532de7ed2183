set terminal pngcairo size 1600,640 font ',11' noenhanced
set output 'chart.png'
set datafile missing '?'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set grid ytics
set key outside right top
set ylabel 'throughput / raw S3 client (durable writes), log scale'
set title 'bucketfs vs s3fs, rclone, local disk, FUSE passthroughs, raw boto3 on radosgw (median of per-round ratios)'
set xtics nomirror
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#444444'
plot 'chart.dat' using 2:xtic(1) title 'bucketfs', '' using 3 title 's3fs', '' using 4 title 'rclone', '' using 5 title 'disk', '' using 6 title 'pt_ll', '' using 7 title 'pt_fh', '' using 8 title 'raw'
