# SPDX-License-Identifier: MIT
# What `cmake --install` puts where, and the .deb `cpack -G DEB` makes of it.
# Configure with -DCMAKE_INSTALL_PREFIX=/usr for a system install or a
# package: the systemd unit names the installed binary, and the package is
# laid out under the same prefix (CPACK_PACKAGING_INSTALL_PREFIX).
#
#   PREFIX/bin/bucketfs, bucketfsctl
#   PREFIX/share/man/man8/bucketfs.8.gz (bucketfsctl.8.gz links to it)
#   PREFIX/share/doc/bucketfs/README.md, SEMANTICS.md, copyright, examples/
#     (fstab, systemd .mount/.automount, nginx)
#   PREFIX/lib/systemd/system/bucketfs@.service, and /etc/bucketfs/ for
#     its INSTANCE.conf files
#   /etc/logrotate.d/bucketfs (for -o logfile=/var/log/bucketfs/NAME.log)

install(TARGETS bucketfs bucketfsctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# man pages: gzip -9n as Debian wants them (no name or time in the header)
find_program(BFS_GZIP gzip REQUIRED)
set(BFS_MAN_GZ ${CMAKE_BINARY_DIR}/man/bucketfs.8.gz)
add_custom_command(OUTPUT ${BFS_MAN_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
  COMMAND ${BFS_GZIP} -9n -c ${CMAKE_SOURCE_DIR}/docs/bucketfs.8 > ${BFS_MAN_GZ}
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/bucketfs.8
  COMMENT "Compressing bucketfs.8")
add_custom_target(man ALL DEPENDS ${BFS_MAN_GZ})
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/man)
file(CREATE_LINK bucketfs.8.gz ${CMAKE_BINARY_DIR}/man/bucketfsctl.8.gz SYMBOLIC)
install(FILES ${BFS_MAN_GZ} ${CMAKE_BINARY_DIR}/man/bucketfsctl.8.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

# the service template runs the binary where this install puts it
file(READ ${CMAKE_SOURCE_DIR}/contrib/systemd/bucketfs@.service BFS_UNIT)
string(REPLACE "/usr/bin/bucketfs" "${CMAKE_INSTALL_FULL_BINDIR}/bucketfs" BFS_UNIT "${BFS_UNIT}")
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/systemd/bucketfs@.service CONTENT "${BFS_UNIT}")
install(FILES ${CMAKE_BINARY_DIR}/systemd/bucketfs@.service
        DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)

install(FILES README.md SEMANTICS.md contrib/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
set(BFS_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/man/changelog.gz)
add_custom_command(OUTPUT ${BFS_CHANGELOG_GZ}
  COMMAND ${BFS_GZIP} -9n -c ${CMAKE_SOURCE_DIR}/contrib/changelog > ${BFS_CHANGELOG_GZ}
  DEPENDS ${CMAKE_SOURCE_DIR}/contrib/changelog
  COMMENT "Compressing the changelog")
add_custom_target(changelog ALL DEPENDS ${BFS_CHANGELOG_GZ})
install(FILES ${BFS_CHANGELOG_GZ} DESTINATION ${CMAKE_INSTALL_DOCDIR})
# bucketfs@.service reads /etc/bucketfs/INSTANCE.conf (EnvironmentFile=)
install(DIRECTORY DESTINATION /etc/bucketfs)
install(FILES contrib/fstab.example contrib/nginx/generated.conf
              contrib/systemd/srv-app-public-generated.mount
              contrib/systemd/srv-app-public-generated.automount
              contrib/logrotate.bucketfs
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES contrib/logrotate.bucketfs DESTINATION /etc/logrotate.d RENAME bucketfs)

# cpack -G DEB
set(CPACK_PACKAGE_NAME bucketfs)
set(CPACK_PACKAGE_VENDOR "bucketfs")
# (a packager sets their own: -DBFS_PACKAGE_CONTACT="Name <address>")
set(BFS_PACKAGE_CONTACT "bucketfs maintainers <maintainers@bucketfs.invalid>"
    CACHE STRING "the Maintainer of the .deb")
set(CPACK_PACKAGE_CONTACT "${BFS_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "FUSE filesystem: an object-storage bucket as a directory, with a local cache")
# (lines of at most 80 columns, as Debian's policy wants)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "bucketfs mounts an S3-compatible bucket (AWS S3, Aliyun OSS, Tencent COS,
Qiniu Kodo, MinIO, Ceph) as a directory: files written become objects
through signed PUTs, reads come from a local disk cache indexed in LMDB.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)      # libfuse3-3, libcurl4, liblmdb0, ...
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fuse3")   # mount.fuse3, fusermount3
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx-light | nginx, logrotate")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
file(WRITE ${CMAKE_BINARY_DIR}/debian/conffiles "/etc/logrotate.d/bucketfs\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/debian/conffiles)
include(CPack)
