#pragma once
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef enum { SPI_FLASH_MMAP_DATA, SPI_FLASH_MMAP_INST } spi_flash_mmap_memory_t;
uint32_t spi_flash_mmap_get_free_pages(spi_flash_mmap_memory_t memory);
#ifdef __cplusplus
}
#endif
